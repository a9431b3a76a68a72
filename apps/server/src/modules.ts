import { crmModule } from '@tessera/crm'
import type { ModuleManifest } from '@tessera/kernel'
import { partnersModule } from '@tessera/partners'

/**
 * The business modules this build of Tessera ships, one line each. Removing a line (and the
 * module's folder) removes the module; TESSERA_MODULES narrows the list at start-up.
 */
export const installedModules: readonly ModuleManifest[] = [partnersModule, crmModule]
