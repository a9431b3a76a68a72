import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript'

/**
 * TypeScript declarations (`paths`, `components`, `operations`) of an OpenAPI 3.1 document: the
 * document itself, or the URL of a server's /api/v1/openapi.json. openapi-typescript validates
 * the document first (Redocly) and refuses one that is not well formed.
 */
export async function generateTypes(spec: object | URL): Promise<string> {
  const ast = await openapiTS(spec instanceof URL ? spec : (spec as OpenAPI3), { silent: true })
  return COMMENT_HEADER + astToString(ast)
}
