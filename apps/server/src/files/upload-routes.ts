import { Readable } from 'node:stream'
import multipart from '@fastify/multipart'
import {
  type FilesContext,
  type IdentityContext,
  type UploadInput,
  uploadFile,
  uploadVersion,
} from '@tessera/kernel'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { writeProblems } from '../access/schemas.ts'
import { actorOf, authenticated } from '../auth/actor.ts'
import { FORM_LIMITS, filePart, MultipartUnsupported } from './multipart.ts'
import { FileParams, FileSchema, UploadBody, UploadQuery, VersionUploadQuery } from './schemas.ts'

const tags = ['files']
const problem = { $ref: 'Problem#' }
const uploadProblems = { ...writeProblems, 413: problem, 415: problem }

export interface UploadRoutesOptions {
  identity: IdentityContext
  files: FilesContext
}

/**
 * Uploads, in either of two forms. The raw body is the file's bytes, whatever its Content-Type,
 * named by `?filename=` (API clients, the web app). A multipart/form-data body carries the file
 * in its `file` part, named by the part's filename (an HTML form). Either way the declared type
 * is never used (the stored type is sniffed), the name is sanitised, and the bytes are streamed
 * to storage, hashed and limited, never buffered whole. This plugin's parsers apply to these
 * routes only; the rest of the API keeps its JSON bodies.
 */
export async function uploadRoutes(app: FastifyInstance, { identity, files }: UploadRoutesOptions) {
  app.removeAllContentTypeParsers()
  // one file per request; its size is limited by limitUpload (413), one byte past it here so
  // that check is the one that answers
  await app.register(multipart, { limits: { ...FORM_LIMITS, fileSize: files.limit + 1 } })
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload))
  const onRequest = authenticated(identity)
  const bodyLimit = files.limit

  app.post(
    '/',
    {
      onRequest,
      bodyLimit,
      schema: {
        tags,
        summary:
          'Attach a file to a record: the body is the file, or a multipart form with a `file` part (needs the entity’s update right and the record visible)',
        description: UPLOAD_FORMS,
        querystring: UploadQuery,
        body: UploadBody,
        response: { 201: FileSchema, ...uploadProblems },
      },
    },
    async (request, reply) => {
      const query = request.query as { entity: string; record_id: string; filename?: string }
      const file = await uploadFile(
        files,
        actorOf(request),
        { entity: query.entity, recordId: query.record_id },
        await uploadOf(request, query.filename),
        request.id,
      )
      return reply.code(201).header('location', `/api/v1/files/${file.id}`).send(file)
    },
  )

  app.post(
    '/:id/versions',
    {
      onRequest,
      bodyLimit,
      schema: {
        tags,
        summary: 'Upload a new version of a file; earlier versions are kept (needs update on its record)',
        description: UPLOAD_FORMS,
        params: FileParams,
        querystring: VersionUploadQuery,
        body: UploadBody,
        response: { 201: FileSchema, ...uploadProblems },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string }
      const { filename } = request.query as { filename?: string }
      const upload = await uploadOf(request, filename)
      const file = await uploadVersion(files, actorOf(request), id, upload, request.id)
      return reply.code(201).send(file)
    },
  )
}

const UPLOAD_FORMS =
  'Send the file as the raw request body (any Content-Type, e.g. application/octet-stream) with ' +
  '`?filename=`, or as the `file` part of a multipart/form-data body, whose filename names it ' +
  '(`?filename=` wins when both are given). The stored type is sniffed from the bytes; a file over ' +
  'TESSERA_FILE_LIMIT is 413 and nothing is kept.'

/**
 * The upload's bytes and name: the multipart form's `file` part (400 naming `file` when there is
 * none), or the raw body. `filename` from the query names it when given.
 */
async function uploadOf(request: FastifyRequest, filename: string | undefined): Promise<UploadInput> {
  if (request.isMultipart()) {
    const part = await filePart(request)
    return { content: part.file, name: filename ?? part.filename }
  }
  if (/^\s*multipart\//i.test(request.headers['content-type'] ?? '')) throw new MultipartUnsupported()
  const declared = Number(request.headers['content-length'])
  return {
    content: request.body instanceof Readable ? request.body : Readable.from([]),
    ...(Number.isFinite(declared) ? { declaredSize: declared } : {}),
    name: filename,
  }
}
