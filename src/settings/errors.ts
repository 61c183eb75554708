/** Bad flags, environment or client config: the message is shown to the operator as is. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError'
}
