/** @tessera/partners: contacts. What other modules may use: the manifest, entities and services. */
export { addressEntity } from './entities/address.ts'
export { categoryEntity } from './entities/category.ts'
export { PAYMENT_TERMS, partnerEntity } from './entities/partner.ts'
export { tagEntity } from './entities/tag.ts'
export { partnersModule } from './module.ts'
export { findPartnerByEmail, findPartnersByEmail, type PartnerRecord } from './services/find-by-email.ts'
