package environments

// Internals the external tests of this package read.
const MaxEnvFormBytes = maxEnvFormBytes
