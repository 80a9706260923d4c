package dev.stephttp.orchestrator.model;

import static org.assertj.core.api.Assertions.assertThat;


import org.junit.jupiter.api.Test;

/** ULIDs of runs and events. */
class UlidsTest {

  @Test
  void ulidsAreValidated() {
    assertThat(Ulids.isValid("01J9Z3K6W8T6M0V2Q4R5S7X8Y9")).isTrue();
    assertThat(Ulids.isValid("01j9z3k6w8t6m0v2q4r5s7x8y9")).isTrue();
    assertThat(Ulids.isValid("81J9Z3K6W8T6M0V2Q4R5S7X8Y9")).isFalse(); // overflow
    assertThat(Ulids.isValid("01J9Z3K6W8T6M0V2Q4R5S7X8YU")).isFalse(); // U not allowed
    assertThat(Ulids.isValid("01J9Z3K6W8")).isFalse();
  }
}
