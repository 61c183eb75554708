/**
 * A template could not be read, compiled or rendered. `file` names the template the way
 * an operator finds it (the override file's path, or the packaged template's name).
 */
export class TemplateError extends Error {
  override readonly name = 'TemplateError'
  constructor(
    readonly file: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`template ${file}: ${reason}`, options)
  }
}
