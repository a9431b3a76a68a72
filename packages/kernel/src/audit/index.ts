/**
 * The audit trail (issue 6, item 1): every record change and security event, appended to its
 * tenant's hash chain in the transaction that made it; listed with the reader's field masks;
 * verified by recomputing the chain.
 */
export { type AuditEntry, appendAudit } from './append.ts'
export { type AuditContent, type AuditValues, chainHash, contentOf, GENESIS_HASH } from './chain.ts'
export { type ChangedValues, changedValues } from './diff.ts'
export { type AuditPage, type AuditView, listAudit } from './list.ts'
export { AuditQuery } from './query.ts'
export { auditChange } from './record.ts'
export { SECURITY_EVENT_ENTITY } from './security.ts'
export { type AuditHeadsTable, type AuditLogTable, type AuditTables, auditTx } from './tables.ts'
export { type BrokenLink, type ChainReport, verifyAuditChain } from './verify.ts'
