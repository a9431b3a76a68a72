import type { FastifyInstance } from 'fastify'

// Tells the kernel's framework-free manifest which app a module's `routes` receive: modules type
// their endpoints against Fastify without importing it or the server (see ModuleHttp).
declare module '@tessera/kernel' {
  interface ModuleHttp {
    app: FastifyInstance
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The permission a module route needs, e.g. `sales.order:read`: the module gate refuses a
     * member without it (403) before the route's body is read.
     */
    permission?: string
  }
}
