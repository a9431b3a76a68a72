/**
 * @tessera/api-client: a typed client generated from a running server's OpenAPI document
 * (openapi-typescript for the types, openapi-fetch for the calls), and the checks that prove a
 * document usable: lint it, generate its types, type-check a program against them.
 */
export { createTesseraClient } from './client.ts'
export { generateTypes } from './generate.ts'
export { lintSpec, type SpecProblem } from './lint.ts'
export { typeCheck } from './type-check.ts'
