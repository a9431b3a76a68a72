import { createRecord, demoEntityContext, loadModel, type ModuleSeedContext } from '@tessera/kernel'
import { partnerEntity } from './entities/partner.ts'

// twenty organisations, each with one or two people: fifty contacts in all
const ORGANIZATIONS = [
  ['Northwind Traders', 'GB', 'London'],
  ['Contoso Pharmaceuticals', 'US', 'Boston'],
  ['Fabrikam Robotics', 'DE', 'Munich'],
  ['Tailspin Airlines', 'FR', 'Toulouse'],
  ['Wide World Importers', 'NL', 'Rotterdam'],
  ['Adventure Works Cycles', 'US', 'Seattle'],
  ['Blue Yonder Logistics', 'DE', 'Hamburg'],
  ['Coho Winery', 'FR', 'Bordeaux'],
  ['Alpine Ski House', 'CH', 'Zermatt'],
  ['Lucerne Publishing', 'CH', 'Lucerne'],
  ['Margie’s Travel', 'ES', 'Barcelona'],
  ['Proseware Analytics', 'IE', 'Dublin'],
  ['Litware Systems', 'GB', 'Manchester'],
  ['Trey Research', 'US', 'Austin'],
  ['Woodgrove Bank', 'GB', 'Edinburgh'],
  ['Graphic Design Institute', 'IT', 'Milan'],
  ['Humongous Insurance', 'US', 'Chicago'],
  ['Fourth Coffee', 'IT', 'Turin'],
  ['Southridge Video', 'SE', 'Stockholm'],
  ['School of Fine Art', 'BE', 'Brussels'],
] as const

const PEOPLE = [
  ['Maria Lopez', 'Head of Procurement'],
  ['Tom Becker', 'CFO'],
  ['Aiko Tanaka', 'Operations Manager'],
  ['Pierre Martin', 'IT Director'],
  ['Sofia Rossi', 'Purchasing Lead'],
  ['James Carter', 'CEO'],
  ['Lena Fischer', 'Logistics Manager'],
  ['Omar Haddad', 'Project Manager'],
  ['Emma Johansson', 'Marketing Director'],
  ['Lucas Dubois', 'Office Manager'],
  ['Nina Novak', 'Finance Manager'],
  ['Diego Alvarez', 'Sales Director'],
  ['Grace Kim', 'COO'],
  ['Henrik Larsen', 'Facilities Manager'],
  ['Chloe Laurent', 'Legal Counsel'],
]

const domain = (name: string) => `${name.toLowerCase().replace(/[^a-z]+/g, '')}.example.com`

/** The demo tenant's contacts: fifty people and organisations, some customers, with addresses. */
export async function demoPartners(seed: ModuleSeedContext): Promise<void> {
  const ctx = await demoEntityContext(seed)
  const model = await loadModel(ctx.db, partnerEntity.key)
  if (!model) return
  let person = 0
  for (const [i, [name, country, city]] of ORGANIZATIONS.entries()) {
    const org = await createRecord(ctx, model, {
      kind: 'organization',
      name,
      email: `hello@${domain(name)}`,
      website: `https://www.${domain(name)}`,
      is_customer: i % 3 === 0,
      addresses: [{ type: 'billing', city, country, street: `${10 + i} Market Street`, is_default: true }],
    })
    const people = i < 10 ? 2 : 1
    for (let p = 0; p < people; p++) {
      const [full, title] = PEOPLE[person % PEOPLE.length] as [string, string]
      const first = full.split(' ')[0] as string
      person += 1
      await createRecord(ctx, model, {
        kind: 'person',
        name: person > PEOPLE.length ? `${first} ${name.split(' ')[0]}son` : full,
        job_title: title,
        organization: org.id,
        email: `${first.toLowerCase()}.${person}@${domain(name)}`,
        phone: `+44 20 7946 ${String(1000 + person).slice(-4)}`,
      })
    }
  }
}
