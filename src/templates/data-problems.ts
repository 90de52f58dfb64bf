import type { ErrorObject } from 'ajv';
import type { FieldProblem } from '../errors/herald-error';

/**
 * Ajv's errors as field problems under `root` (`data.order.id: must be string`), in the shape
 * every other validation error of Herald uses.
 */
export function dataProblems(errors: readonly ErrorObject[], root = 'data'): FieldProblem[] {
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  for (const e of errors) {
    const path = e.instancePath
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      path.push(String((e.params as { missingProperty: string }).missingProperty));
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      path.push(String((e.params as { additionalProperty: string }).additionalProperty));
      message = 'is not a known field';
    }
    const problem = { field: [root, ...path].join('.'), message };
    const key = `${problem.field}\n${problem.message}`;
    if (!seen.has(key)) problems.push(problem);
    seen.add(key);
  }
  return problems;
}
