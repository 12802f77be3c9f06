/* version.h: ringkv's version and the Redis version it is compatible with
 * (INFO redis_version, HELLO's "version": what clients check). */
#ifndef RINGKV_NET_CORE_VERSION_H
#define RINGKV_NET_CORE_VERSION_H

#define VERSION_RINGKV "0.1.0"
#define VERSION_REDIS "7.0.15"

#endif
