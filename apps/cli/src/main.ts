import { program } from './program.ts'

try {
  await program().parseAsync(process.argv)
} catch (err) {
  process.stderr.write(`tessera: ${(err as Error).message}\n`)
  process.exitCode = process.exitCode || 1
}
