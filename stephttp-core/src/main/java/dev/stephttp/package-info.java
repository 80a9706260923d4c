/**
 * The public Step API: durable steps that run inside an HTTP request handler. Everything is
 * non-null unless marked {@code @Nullable}.
 */
@NullMarked
package dev.stephttp;

import org.jspecify.annotations.NullMarked;
