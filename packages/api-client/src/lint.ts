import { createConfig, lintFromString } from '@redocly/openapi-core'

export interface SpecProblem {
  severity: 'error' | 'warn'
  rule: string
  message: string
  /** the JSON pointer of the offending node */
  where: string
}

/**
 * What Redocly's recommended rules find in an OpenAPI document (structure against the 3.1 schema,
 * references that do not resolve, style), and besides them every example, of a schema, a
 * parameter or a body, that contradicts its schema.
 */
export async function lintSpec(spec: object): Promise<SpecProblem[]> {
  const config = await createConfig({
    extends: ['recommended'],
    rules: {
      'no-invalid-schema-examples': 'error',
      'no-invalid-parameter-examples': 'error',
      'no-invalid-media-type-examples': 'error',
    },
  })
  const problems = await lintFromString({ source: JSON.stringify(spec), config })
  return problems.map((p) => ({
    severity: p.severity === 'error' ? 'error' : 'warn',
    rule: p.ruleId,
    message: p.message,
    where: p.location[0]?.pointer ?? '',
  }))
}
