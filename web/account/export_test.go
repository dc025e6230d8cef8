package account

// Internals the external tests of this package read.
const SigninMaxFailures = signinMaxFailures
