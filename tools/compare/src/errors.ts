/** A mistake in what the user asked for (arguments, names): reported with the usage, exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
