/** The jakarta.servlet integration: the filter, the servlet wrapper and per-handler options. */
package dev.stephttp.servlet;
