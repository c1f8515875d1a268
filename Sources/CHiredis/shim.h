#pragma once
#include <hiredis/hiredis.h>
#include <sys/time.h>

/// hiredis 0.14 keeps the error text in a fixed char array inside the context; Swift imports such an array
/// as a 128-element tuple, so a pointer accessor keeps the conversion in one obvious place.
static inline const char *reasoner_redis_errstr(const redisContext *c) { return c->errstr; }
