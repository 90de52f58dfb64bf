declare module 'parse-prometheus-text-format' {
  /** One sample of a family; histograms and summaries carry buckets/quantiles, count and sum. */
  export interface ParsedSample {
    readonly value?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly buckets?: Readonly<Record<string, string>>;
    readonly quantiles?: Readonly<Record<string, string>>;
    readonly count?: string;
    readonly sum?: string;
  }
  export interface ParsedFamily {
    readonly name: string;
    readonly help: string;
    readonly type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
    readonly metrics: readonly ParsedSample[];
  }
  /** Throws `InvalidLineError` on a line that is not valid exposition format. */
  export default function parsePrometheusTextFormat(text: string): ParsedFamily[];
}
