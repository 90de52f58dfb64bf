import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';

/** `/metrics` parsed by a real exposition-format parser, with lookups for the assertions. */
export interface Scrape {
  readonly families: readonly ParsedFamily[];
  family(name: string): ParsedFamily | undefined;
  /** Sum of a counter's or gauge's samples whose labels include `labels`; 0 when none match. */
  value(name: string, labels?: Record<string, string>): number;
}

/** Fetches and parses `<baseUrl>/metrics`; throws when the answer is not valid exposition format. */
export async function scrape(baseUrl: string): Promise<Scrape> {
  const res = await fetch(`${baseUrl}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}: ${await res.text()}`);
  const families = parsePrometheusTextFormat(await res.text());
  return {
    families,
    family: (name) => families.find((f) => f.name === name),
    value: (name, labels = {}) =>
      (families.find((f) => f.name === name)?.metrics ?? [])
        .filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
        .reduce((sum, m) => sum + Number(m.value), 0),
  };
}
