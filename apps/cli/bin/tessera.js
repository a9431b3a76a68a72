#!/usr/bin/env node
// Tessera runs its TypeScript sources directly: tsx compiles them on load, so there is no build
// step between a clone and a running server.
import { register } from 'tsx/esm/api'

register()
await import('../src/main.ts')
