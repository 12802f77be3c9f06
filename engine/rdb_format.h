/* rdb_format.h: constants of the RDB byte format that both the encoder
 * (engine/rdb_encode.c) and the loader (engine/rdb_decode.c) use. Private
 * to engine/'s RDB files: callers see engine/rdb.h only. */
#ifndef RINGKV_ENGINE_RDB_FORMAT_H
#define RINGKV_ENGINE_RDB_FORMAT_H

/* Length-prefix forms (first byte's top two bits, and the two long forms). */
#define RDB_LEN_6BIT 0
#define RDB_LEN_14BIT 1
#define RDB_LEN_32BIT 0x80
#define RDB_LEN_64BIT 0x81
#define RDB_LEN_ENCVAL 3
/* Special string encodings (low six bits after RDB_LEN_ENCVAL). */
#define RDB_ENC_INT8 0
#define RDB_ENC_INT16 1
#define RDB_ENC_INT32 2
#define RDB_ENC_LZF 3
/* Redis only tries the integer encodings on strings this short. */
#define RDB_INT_STRING_BYTES_MAX 11
/* Redis only tries LZF on strings longer than this, and keeps the result
 * only when it saves at least RDB_LZF_SAVING_MIN bytes. */
#define RDB_LZF_BYTES_MIN 20
#define RDB_LZF_SAVING_MIN 4
/* The LZF format expands at most this much: a 3-byte back reference
 * copies up to 264 bytes. Used to cap a declared uncompressed length. */
#define RDB_LZF_EXPANSION_MAX 100
/* quicklist2 node containers. */
#define RDB_QUICKLIST_NODE_PLAIN 1
#define RDB_QUICKLIST_NODE_PACKED 2

#endif
