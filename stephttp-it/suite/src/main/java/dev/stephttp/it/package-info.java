/**
 * The container matrix: one scenario suite ({@link dev.stephttp.it.ContainerScenarios}) against
 * the real orchestrator, run on each servlet container through a small
 * {@link dev.stephttp.it.Container} abstraction. Test code, never part of the library.
 */
package dev.stephttp.it;
