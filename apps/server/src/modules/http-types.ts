import type { FastifyInstance } from 'fastify'

// Tells the kernel's framework-free manifest which app a module's `routes` receive: modules type
// their endpoints against Fastify without importing it or the server (see ModuleHttp).
declare module '@tessera/kernel' {
  interface ModuleHttp {
    app: FastifyInstance
  }
}
