import type { ModuleManifest } from '../module/define.ts'
import { isEventPattern, matchesEvent } from './names.ts'
import type { EventSubscriber } from './types.ts'

/** A manifest's subscriber with the module it belongs to and the key its receipts carry. */
export interface BoundSubscriber {
  module: string
  /** `<module>.<name>` */
  key: string
  subscriber: EventSubscriber
}

const NAME = /^[a-z][a-z0-9_.-]{0,99}$/

/** Every subscriber the modules declare; a bad pattern or a name used twice stops the start. */
export function moduleSubscribers(modules: readonly ModuleManifest[]): BoundSubscriber[] {
  const bound: BoundSubscriber[] = []
  for (const m of modules) {
    const seen = new Set<string>()
    for (const subscriber of m.subscribers ?? []) {
      const where = `Subscriber "${subscriber.name}" of module "${m.name}"`
      if (!NAME.test(subscriber.name)) throw new Error(`${where} needs a lower-case name (a-z 0-9 _ . -).`)
      if (seen.has(subscriber.name)) throw new Error(`${where} is declared twice.`)
      if (!isEventPattern(subscriber.event))
        throw new Error(`${where} listens to "${subscriber.event}", which is no event type or pattern.`)
      seen.add(subscriber.name)
      bound.push({ module: m.name, key: `${m.name}.${subscriber.name}`, subscriber })
    }
  }
  return bound
}

/** The subscribers for `type` among the modules active in the tenant. */
export function subscribersOf(
  all: readonly BoundSubscriber[],
  active: ReadonlySet<string>,
  type: string,
): BoundSubscriber[] {
  return all.filter((s) => active.has(s.module) && matchesEvent(s.subscriber.event, type))
}
