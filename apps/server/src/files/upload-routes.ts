import { Readable } from 'node:stream'
import {
  type FilesContext,
  type IdentityContext,
  type UploadInput,
  uploadFile,
  uploadVersion,
} from '@tessera/kernel'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { writeProblems } from '../access/schemas.ts'
import { actorOf, authenticated } from '../auth/actor.ts'
import { sendProblem } from '../problem.ts'
import { FileParams, FileSchema, UploadQuery, VersionUploadQuery } from './schemas.ts'

const tags = ['files']
const problem = { $ref: 'Problem#' }
const uploadProblems = { ...writeProblems, 413: problem, 415: problem }

export interface UploadRoutesOptions {
  identity: IdentityContext
  files: FilesContext
}

/**
 * Uploads: the request body is the file's bytes, whatever its Content-Type (the declared type is
 * never used: the stored type is sniffed), streamed to storage and never buffered whole. Multipart
 * bodies are refused (415) until a multipart parser is installed. This plugin's parser applies to
 * these routes only; the rest of the API keeps its JSON bodies.
 */
export async function uploadRoutes(app: FastifyInstance, { identity, files }: UploadRoutesOptions) {
  app.removeAllContentTypeParsers()
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
          'Attach a file to a record: the body is the file (needs the entity’s update right and the record visible)',
        querystring: UploadQuery,
        response: { 201: FileSchema, ...uploadProblems },
      },
    },
    async (request, reply) => {
      if (refuseMultipart(request, reply)) return reply
      const query = request.query as { entity: string; record_id: string; filename: string }
      const file = await uploadFile(
        files,
        actorOf(request),
        { entity: query.entity, recordId: query.record_id },
        { ...bodyOf(request), name: query.filename },
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
        params: FileParams,
        querystring: VersionUploadQuery,
        response: { 201: FileSchema, ...uploadProblems },
      },
    },
    async (request, reply) => {
      if (refuseMultipart(request, reply)) return reply
      const { id } = request.params as { id: string }
      const { filename } = request.query as { filename?: string }
      const file = await uploadVersion(
        files,
        actorOf(request),
        id,
        { ...bodyOf(request), ...(filename === undefined ? {} : { name: filename }) },
        request.id,
      )
      return reply.code(201).send(file)
    },
  )
}

/** The raw body as a stream, and the size the client announced. */
function bodyOf(request: FastifyRequest): Omit<UploadInput, 'name'> {
  const declared = Number(request.headers['content-length'])
  return {
    content: request.body instanceof Readable ? request.body : Readable.from([]),
    ...(Number.isFinite(declared) ? { declaredSize: declared } : {}),
  }
}

/** A form upload would be stored with its multipart framing: refuse it, naming what to send instead. */
function refuseMultipart(request: FastifyRequest, reply: FastifyReply): boolean {
  const type = request.headers['content-type'] ?? ''
  if (!/^\s*multipart\//i.test(type)) return false
  sendProblem(
    request,
    reply,
    415,
    'multipart_unsupported',
    'Send the file itself as the request body (e.g. application/octet-stream), not a multipart form.',
  )
  return true
}
