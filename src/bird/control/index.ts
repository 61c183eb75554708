export { BirdControl, DEFAULT_TIMEOUT_MS, type BirdControlOptions, type BirdReply, type ReplyPart, type RequestOptions } from './client.js'
export {
  BirdCommandError,
  BirdControlError,
  BirdProtocolError,
  BirdTimeoutError,
  BirdUnavailableError,
  type UnavailableReason,
} from './errors.js'
export { isErrorCode, parseReplyLine, type FinalLine, type ReplyLine } from './reply-line.js'
export { LineSplitter, MAX_LINE_LENGTH } from './line-splitter.js'
export { HIGH_WATER_LINES, LOW_WATER_LINES } from './line-stream.js'
