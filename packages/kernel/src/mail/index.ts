export { MailDeliveryError } from './delivery-error.ts'
export { createMailer, type Mailer, type MailerOptions, type MailLog, type SentMail } from './mailer.ts'
export { isEmailAddress, MAX_SUBJECT_LENGTH, type MailMessage, validateMessage } from './message.ts'
