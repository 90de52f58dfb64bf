/** The part of autocannon 9 the accept benchmark uses (the package ships no types). */
declare module 'autocannon' {
  export interface AutocannonOptions {
    url: string;
    method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
    connections?: number;
    /** Seconds. */
    duration?: number;
    /** Requests to send in all, instead of a duration. */
    amount?: number;
    headers?: Record<string, string>;
    body?: string;
    /** Replaces every `[<id>]` in the request (headers included) with a new unique id. */
    idReplacement?: boolean;
    /** Requests sent in turn; `setupRequest` builds each one just before it is sent. */
    requests?: AutocannonRequest[];
  }

  export interface AutocannonRequest {
    method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
  }

  /** Latency percentiles in milliseconds; request counts per second. */
  export interface Histogram {
    average: number;
    p50: number;
    p90: number;
    p99: number;
    max: number;
    total: number;
  }

  export interface LatencyHistogram extends Histogram {
    /** Responses measured. */
    totalCount: number;
  }

  export interface AutocannonResult {
    /** Seconds actually run. */
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
    statusCodeStats: Record<string, { count: number }>;
    latency: LatencyHistogram;
    requests: Histogram & { sent: number };
  }

  export default function autocannon(options: AutocannonOptions): Promise<AutocannonResult>;
}
