import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import ts from 'typescript'

const require = createRequire(import.meta.url)
const fetchTypes = join(dirname(require.resolve('openapi-fetch/package.json')), 'dist', 'index.d.mts')

/**
 * Type-checks a client program written against generated declarations, strictly, with this
 * package's TypeScript 5 (its compiler API; the workspace's TypeScript 7 has none). The program
 * may import `openapi-fetch` wherever it lies. Returns each diagnostic as `file:line: message`.
 */
export function typeCheck(files: readonly string[]): string[] {
  const program = ts.createProgram(files, {
    strict: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    skipLibCheck: true,
    allowImportingTsExtensions: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: [],
    paths: { 'openapi-fetch': [fetchTypes] },
  })
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n')
    if (!d.file || d.start === undefined) return message
    const { line } = d.file.getLineAndCharacterOfPosition(d.start)
    return `${d.file.fileName}:${line + 1}: ${message}`
  })
}
