export { deriveKey } from './derive-key.ts'
export { MASTER_SECRET_BYTES } from './key-file.ts'
export { decodeSecret, loadSecrets, type ServerSecrets } from './master-secret.ts'
export { openSecret, sealSecret } from './seal.ts'
