#pragma once
// libjpeg reports fatal errors by calling error_exit, which must not return: the only safe way out of C code that
// Swift called is longjmp back into C. These helpers keep setjmp/longjmp entirely on the C side and turn failures
// into a return code plus a message that Swift reads.
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>

typedef struct {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
} reasoner_jpeg_error;

static inline void reasoner_jpeg_error_exit(j_common_ptr info) {
    reasoner_jpeg_error *error = (reasoner_jpeg_error *)info->err;
    (*info->err->format_message)(info, error->message);
    longjmp(error->jump, 1);
}

static inline void reasoner_jpeg_silence(j_common_ptr info, int level) { (void)info; (void)level; }

/// Decodes a JPEG held in memory to 8-bit RGB. On success returns 0 and a malloc'd buffer of width*height*3 bytes in
/// *pixels (the caller frees it). On failure returns -1 and a message in `message`.
static inline int reasoner_jpeg_decode_rgb(const unsigned char *data, unsigned long size, unsigned char **pixels,
                                           int *width, int *height, char *message, size_t message_size) {
    struct jpeg_decompress_struct info;
    reasoner_jpeg_error error;
    unsigned char *volatile buffer = NULL;
    *pixels = NULL;
    info.err = jpeg_std_error(&error.manager);
    error.manager.error_exit = reasoner_jpeg_error_exit;
    error.manager.emit_message = reasoner_jpeg_silence;
    error.message[0] = 0;
    if (setjmp(error.jump)) {
        jpeg_destroy_decompress(&info);
        free(buffer);
        snprintf(message, message_size, "%s", error.message);
        return -1;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, size);
    jpeg_read_header(&info, TRUE);
    if (info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK) {
        jpeg_destroy_decompress(&info);
        snprintf(message, message_size, "CMYK JPEG images are not supported");
        return -1;
    }
    info.out_color_space = JCS_RGB;
    jpeg_start_decompress(&info);
    size_t stride = (size_t)info.output_width * 3;
    buffer = (unsigned char *)malloc(stride * info.output_height);
    if (buffer == NULL) {
        jpeg_destroy_decompress(&info);
        snprintf(message, message_size, "out of memory for a %ux%u image", info.output_width, info.output_height);
        return -1;
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = buffer + stride * info.output_scanline;
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    *width = (int)info.output_width;
    *height = (int)info.output_height;
    jpeg_destroy_decompress(&info);
    *pixels = buffer;
    return 0;
}

/// Encodes 8-bit RGB pixels as a baseline JPEG. On success returns 0 and a malloc'd buffer in *output (the caller
/// frees it). On failure returns -1 and a message.
static inline int reasoner_jpeg_encode_rgb(const unsigned char *pixels, int width, int height, int quality,
                                           unsigned char **output, unsigned long *output_size,
                                           char *message, size_t message_size) {
    struct jpeg_compress_struct info;
    reasoner_jpeg_error error;
    *output = NULL;
    *output_size = 0;
    info.err = jpeg_std_error(&error.manager);
    error.manager.error_exit = reasoner_jpeg_error_exit;
    error.manager.emit_message = reasoner_jpeg_silence;
    error.message[0] = 0;
    if (setjmp(error.jump)) {
        jpeg_destroy_compress(&info);
        free(*output);
        *output = NULL;
        snprintf(message, message_size, "%s", error.message);
        return -1;
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, output, output_size);
    info.image_width = (JDIMENSION)width;
    info.image_height = (JDIMENSION)height;
    info.input_components = 3;
    info.in_color_space = JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    size_t stride = (size_t)width * 3;
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + stride * info.next_scanline);
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    return 0;
}
