import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MODULE_NAME } from '@tessera/kernel'
import { InvalidArgumentError } from 'commander'

/** This checkout of Tessera: where `tessera module new` adds a module unless --root says otherwise. */
const REPOSITORY = fileURLToPath(new URL('../../../../', import.meta.url))
const PLACEHOLDER = /__name__/g
const TEMPLATE_SUFFIX = '.tmpl'

/** Commander argument parser: a bad name is a usage error (exit 2), reported before anything is written. */
export function parseModuleName(name: string): string {
  if (!MODULE_NAME.test(name)) {
    throw new InvalidArgumentError(
      'A module name is 2 to 40 lower-case letters, digits or _, starting with a letter (e.g. sales).',
    )
  }
  if (name === 'kernel') throw new InvalidArgumentError('"kernel" is reserved.')
  return name
}

/**
 * `tessera module new NAME`: copies modules/_template to modules/NAME, replacing `__name__` in
 * file names and contents and dropping the `.tmpl` suffixes. Only `.tmpl` files are copied; the
 * template's other files describe the template itself. The copy is built beside its destination
 * and renamed into place, so a failure leaves no half-made module behind.
 */
export async function moduleNewCommand(name: string, options: { root?: string }): Promise<void> {
  const root = resolve(options.root ?? REPOSITORY)
  const template = join(root, 'modules', '_template')
  const target = join(root, 'modules', name)
  if (!existsSync(template)) throw new Error(`No module template at ${template}.`)
  if (existsSync(target)) throw new Error(`modules/${name} already exists; choose another name.`)

  const staging = join(root, 'modules', `.${name}.${process.pid}.tmp`)
  try {
    for (const file of await templateFiles(template)) {
      const text = await readFile(join(template, file), 'utf8')
      const out = join(staging, file.slice(0, -TEMPLATE_SUFFIX.length).replace(PLACEHOLDER, name))
      await mkdir(dirname(out), { recursive: true })
      await writeFile(out, text.replace(PLACEHOLDER, name))
    }
    await rename(staging, target)
  } finally {
    await rm(staging, { recursive: true, force: true })
  }

  const manifest = `${name}Module`
  process.stdout.write(
    `Created modules/${name} (@tessera/${name}) in ${root}.\n` +
      `Add this line to apps/server/src/modules.ts and list ${manifest} in installedModules:\n` +
      `  import { ${manifest} } from '@tessera/${name}'\n` +
      'Then run `npm install` once to link the new workspace, and `tessera migrate`.\n',
  )
}

/** Paths of the template's `.tmpl` files, relative to the template folder. */
async function templateFiles(template: string): Promise<string[]> {
  const entries = await readdir(template, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(TEMPLATE_SUFFIX))
    .map((e) => relative(template, join(e.parentPath, e.name)))
    .sort()
}
