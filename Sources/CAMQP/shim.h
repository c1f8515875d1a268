#pragma once
// rabbitmq-c 0.11 (Debian 12): flat headers. Swift cannot call C variadic functions, and building AMQP field tables
// means writing C unions: these static inline helpers do both on the C side.
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <amqp_framing.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

/// amqp_login_with_properties with PLAIN authentication (the variadic tail is user, password).
static inline amqp_rpc_reply_t reasoner_amqp_login_plain(amqp_connection_state_t state, const char *vhost,
                                                         int channel_max, int frame_max, int heartbeat,
                                                         const amqp_table_t *properties, const char *user,
                                                         const char *password) {
    return amqp_login_with_properties(state, vhost, channel_max, frame_max, heartbeat, properties,
                                      AMQP_SASL_METHOD_PLAIN, user, password);
}

/// A table entry holding a UTF-8 string (`bytes` must outlive the table).
static inline amqp_table_entry_t reasoner_amqp_entry_string(amqp_bytes_t key, amqp_bytes_t bytes) {
    amqp_table_entry_t entry;
    memset(&entry, 0, sizeof entry);
    entry.key = key;
    entry.value.kind = AMQP_FIELD_KIND_UTF8;
    entry.value.value.bytes = bytes;
    return entry;
}

/// A table entry holding a signed 64-bit integer (AMQP `l`, what RabbitMQ expects for x-delivery-limit).
static inline amqp_table_entry_t reasoner_amqp_entry_i64(amqp_bytes_t key, int64_t value) {
    amqp_table_entry_t entry;
    memset(&entry, 0, sizeof entry);
    entry.key = key;
    entry.value.kind = AMQP_FIELD_KIND_I64;
    entry.value.value.i64 = value;
    return entry;
}

/// A table entry holding a boolean.
static inline amqp_table_entry_t reasoner_amqp_entry_bool(amqp_bytes_t key, int value) {
    amqp_table_entry_t entry;
    memset(&entry, 0, sizeof entry);
    entry.key = key;
    entry.value.kind = AMQP_FIELD_KIND_BOOLEAN;
    entry.value.value.boolean = value ? 1 : 0;
    return entry;
}

/// A table entry holding a nested table (`table` must outlive the outer table).
static inline amqp_table_entry_t reasoner_amqp_entry_table(amqp_bytes_t key, amqp_table_t table) {
    amqp_table_entry_t entry;
    memset(&entry, 0, sizeof entry);
    entry.key = key;
    entry.value.kind = AMQP_FIELD_KIND_TABLE;
    entry.value.value.table = table;
    return entry;
}

/// The method id and decoded body of a reply (Swift cannot reach into the reply's anonymous members cleanly).
static inline amqp_method_number_t reasoner_amqp_reply_method(amqp_rpc_reply_t reply) { return reply.reply.id; }
static inline void *reasoner_amqp_reply_decoded(amqp_rpc_reply_t reply) { return reply.reply.decoded; }

/// The method of a method frame.
static inline amqp_method_number_t reasoner_amqp_frame_method(const amqp_frame_t *frame) {
    return frame->payload.method.id;
}
static inline void *reasoner_amqp_frame_decoded(const amqp_frame_t *frame) { return frame->payload.method.decoded; }

/// A timeval from milliseconds.
static inline struct timeval reasoner_amqp_timeval(long milliseconds) {
    struct timeval value;
    value.tv_sec = milliseconds / 1000;
    value.tv_usec = (milliseconds % 1000) * 1000;
    return value;
}
