/** Runnable examples of the three ways to use stephttp, and the demo. */
package dev.stephttp.examples;
