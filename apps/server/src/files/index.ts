import { join } from 'node:path'
import { Type } from '@sinclair/typebox'
import {
  archiveFile,
  type FilesContext,
  getFile,
  type IdentityContext,
  listFiles,
  listVersions,
  localFileStorage,
  openFileContent,
  type TesseraConfig,
} from '@tessera/kernel'
import type { FastifyInstance } from 'fastify'
import { problems, writeProblems } from '../access/schemas.ts'
import { actorOf, authenticated } from '../auth/actor.ts'
import { sendContent } from './download.ts'
import {
  ContentQuery,
  FileListQuery,
  FileParams,
  FileSchema,
  FileVersionSchema,
  pageOf,
  VersionListQuery,
} from './schemas.ts'
import { uploadRoutes } from './upload-routes.ts'

export interface FileRoutesOptions {
  identity: IdentityContext
  config: Pick<TesseraConfig, 'dataDir' | 'fileLimit'>
}

const tags = ['files']

/**
 * Files attached to records: /api/v1/files. Every route checks the file's record each time (the
 * entity's right, record rules, company scope), so a file is exactly as visible as its record.
 * Contents are kept under `<data dir>/files`, by ids.
 */
export async function fileRoutes(app: FastifyInstance, { identity, config }: FileRoutesOptions) {
  const files: FilesContext = {
    db: identity.db,
    storage: localFileStorage(join(config.dataDir, 'files')),
    limit: config.fileLimit,
  }
  const onRequest = authenticated(identity)
  await app.register(uploadRoutes, { identity, files })

  app.get(
    '/',
    {
      onRequest,
      schema: {
        tags,
        summary: 'The files of a record, oldest first (needs read on the record)',
        querystring: FileListQuery,
        response: { 200: pageOf(FileSchema), ...problems },
      },
    },
    async (request) => {
      const q = request.query as Record<string, string | undefined>
      return listFiles(
        files,
        actorOf(request),
        { entity: q.entity as string, recordId: q.record_id as string },
        {
          ...(q.limit !== undefined ? { limit: Number(q.limit) } : {}),
          ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
          include_archived: q.include_archived === 'true',
        },
      )
    },
  )

  app.get(
    '/:id',
    {
      onRequest,
      schema: {
        tags,
        summary: 'A file and its current version (needs read on its record)',
        params: FileParams,
        response: { 200: FileSchema, ...problems },
      },
    },
    async (request) => getFile(files, actorOf(request), (request.params as { id: string }).id),
  )

  app.get(
    '/:id/versions',
    {
      onRequest,
      schema: {
        tags,
        summary: 'The versions of a file, newest first (needs read on its record)',
        params: FileParams,
        querystring: VersionListQuery,
        response: { 200: pageOf(FileVersionSchema), ...problems },
      },
    },
    async (request) => {
      const q = request.query as { limit?: string; cursor?: string }
      return listVersions(files, actorOf(request), (request.params as { id: string }).id, {
        ...(q.limit !== undefined ? { limit: Number(q.limit) } : {}),
        ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
      })
    },
  )

  app.get(
    '/:id/content',
    {
      onRequest,
      schema: {
        tags,
        summary: 'Download a version of a file, the current one by default (needs read on its record)',
        params: FileParams,
        querystring: ContentQuery,
        response: problems,
      },
    },
    async (request, reply) => {
      const { version } = request.query as { version?: string }
      const id = (request.params as { id: string }).id
      const content = await openFileContent(
        files,
        actorOf(request),
        id,
        version === undefined ? undefined : Number(version),
      )
      return sendContent(reply, content)
    },
  )

  app.delete(
    '/:id',
    {
      onRequest,
      schema: {
        tags,
        summary: 'Archive a file: out of its record’s list, versions kept (needs update on its record)',
        params: FileParams,
        response: { 204: Type.Null(), ...writeProblems },
      },
    },
    async (request, reply) => {
      await archiveFile(files, actorOf(request), (request.params as { id: string }).id, request.id)
      return reply.code(204).send()
    },
  )
}
