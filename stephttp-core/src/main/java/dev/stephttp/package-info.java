/** The public Step API: durable steps that run inside an HTTP request handler. */
package dev.stephttp;
