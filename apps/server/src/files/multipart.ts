import type { MultipartFile } from '@fastify/multipart'
import { Invalid, TesseraError } from '@tessera/kernel'
import type { FastifyRequest } from 'fastify'

/** The multipart field that carries an uploaded file, on file uploads as on imports. */
export const FILE_FIELD = 'file'

/** One file and a few small fields: a form upload carries nothing else. */
export const FORM_LIMITS = { files: 1, fields: 10, fieldSize: 1000 }

/** 400 naming the field a multipart upload must carry its file in. */
function missingFilePart(): Invalid {
  return Invalid.field(
    FILE_FIELD,
    `The multipart form has no file in the field "${FILE_FIELD}".`,
    'file_part_missing',
  )
}

/** 415: a multipart body other than a form (multipart/mixed, ...), which would be stored with its framing. */
export class MultipartUnsupported extends TesseraError {
  readonly status = 415
  constructor() {
    super(
      'multipart_unsupported',
      `Send the file as the raw body or as the "${FILE_FIELD}" part of a multipart/form-data body.`,
    )
  }
}

/**
 * The `file` part of a multipart/form-data request: 400 naming `file` when the form has none
 * (the part in another field is drained, never stored), 400 when the form is malformed.
 */
export async function filePart(
  request: FastifyRequest,
  limits?: { fileSize: number },
): Promise<MultipartFile> {
  let part: MultipartFile | undefined
  try {
    part = await request.file(limits ? { limits: { ...FORM_LIMITS, ...limits } } : undefined)
  } catch (err) {
    if (err instanceof TesseraError) throw err
    throw Invalid.field('(body)', 'The multipart form is malformed.', 'invalid_multipart')
  }
  if (!part || part.fieldname !== FILE_FIELD) {
    part?.file.resume()
    throw missingFilePart()
  }
  return part
}
