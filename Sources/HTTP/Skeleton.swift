// Module HTTP: being built (skeleton file, replaced by the module's real sources).
enum HTTPSkeleton {}
