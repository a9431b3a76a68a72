import { Command, type CommanderError } from 'commander'
import { auditVerifyCommand } from './commands/audit.ts'
import { backupCommand, restoreCommand } from './commands/backup.ts'
import { migrateCommand } from './commands/migrate.ts'
import { moduleNewCommand, parseModuleName } from './commands/module.ts'
import { startCommand } from './commands/start.ts'
import { tenantCreateCommand, tenantListCommand } from './commands/tenant.ts'
import { userCreateCommand } from './commands/user.ts'
import { workerCommand } from './commands/worker.ts'

/** Exit code for bad arguments, as BSD sysexits and most CLIs use. */
export const USAGE_EXIT = 2

/** The `tessera` command. Bad arguments print usage and exit 2; --help works on every command. */
export function program(): Command {
  const root = new Command('tessera')
    .description('Tessera ERP: start the server and administer its database and tenants.')
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true })

  root.command('start').description('migrate, then serve the API and web app').action(startCommand)
  root.command('migrate').description('apply pending migrations (idempotent)').action(migrateCommand)
  root
    .command('worker')
    .description('migrate, then run the jobs and event delivery alone (beside start with TESSERA_WORKER=off)')
    .action(workerCommand)

  const tenant = root.command('tenant').description('manage tenants')
  tenant
    .command('create')
    .description('create a tenant and its first company')
    .requiredOption('--name <name>', 'display name of the tenant and its first company')
    .option('--slug <slug>', 'URL name (default: derived from --name)')
    .option('--currency <code>', 'the company currency, ISO 4217', 'USD')
    .option('--country <code>', 'the company country, ISO 3166-1 alpha-2')
    .option('--timezone <zone>', 'the company time zone, IANA', 'UTC')
    .option('--json', 'print the result as JSON')
    .action(tenantCreateCommand)
  tenant.command('list').description('list tenants').option('--json', 'print JSON').action(tenantListCommand)

  const user = root.command('user').description('manage users')
  user
    .command('create')
    .description('add a user to a tenant (a new account gets a generated password, printed once)')
    .requiredOption('--tenant <slug>', 'the tenant to join')
    .requiredOption('--email <email>', "the user's email")
    .option('--name <name>', "display name (default: the email's local part)")
    .requiredOption('--role <role...>', 'role(s) in the tenant, e.g. owner, admin, user')
    .option('--json', 'print the result as JSON')
    .action(userCreateCommand)

  const modules = root.command('module').description('work on business modules')
  modules
    .command('new')
    .description('scaffold modules/<name> from the module template')
    .argument('<name>', 'the module name: 2 to 40 lower-case letters, digits or _', parseModuleName)
    .option('--root <dir>', 'the Tessera checkout to add the module to (default: this one)')
    .action(moduleNewCommand)

  root
    .command('audit')
    .description("work on a tenant's audit trail")
    .command('verify')
    .description('recompute the hash chain; exit 1 at the first broken link')
    .requiredOption('--tenant <slug>', 'the tenant whose trail to verify')
    .option('--json', 'print the report as JSON')
    .action(auditVerifyCommand)

  root
    .command('backup')
    .description('write a full backup of the database to a file')
    .requiredOption('--out <file>', 'backup file to write')
    .action(backupCommand)
  root
    .command('restore')
    .description('restore a backup into an empty data folder or an empty database')
    .requiredOption('--in <file>', 'backup file to read')
    .action(restoreCommand)

  exitOnUsageErrors(root)
  return root
}

function exitOnUsageErrors(command: Command): void {
  command.exitOverride((err: CommanderError) => {
    const ok =
      err.code === 'commander.helpDisplayed' ||
      err.code === 'commander.version' ||
      err.code === 'commander.help'
    process.exit(ok ? 0 : USAGE_EXIT)
  })
  for (const sub of command.commands) exitOnUsageErrors(sub)
}
