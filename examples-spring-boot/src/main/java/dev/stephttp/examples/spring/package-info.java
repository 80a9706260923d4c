/** A Spring Boot 4 example of the stephttp starter: one controller and its properties. */
@NullMarked
package dev.stephttp.examples.spring;

import org.jspecify.annotations.NullMarked;
