/**
 * The jakarta.servlet integration: the filter, the servlet wrapper and per-handler options.
 * Everything is non-null unless marked {@code @Nullable}.
 */
@NullMarked
package dev.stephttp.servlet;

import org.jspecify.annotations.NullMarked;
