package dev.stephttp.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StepIdsTest {

  @Test
  void hashesMatchAppendixAVectors() {
    assertThat(StepIds.hash("a")).isEqualTo("86f7e437faa5a7fce15d1ddcb9eaeaea377667b8");
    assertThat(StepIds.hash("a:1")).isEqualTo("de89bfaf06245091a7873290a793604612302247");
    assertThat(StepIds.hash("complete")).isEqualTo("0737c22d3bfae812339732d14d8c7dbd6dc4e09c");
  }

  @Test
  void completeIdIsHashOfComplete() {
    assertThat(StepIds.COMPLETE_ID).isEqualTo("0737c22d3bfae812339732d14d8c7dbd6dc4e09c");
  }

  @Test
  void hashUsesUtf8BytesOfNonAsciiKeys() {
    // sha1 of the UTF-8 bytes c3 a9 ("é"); ISO-8859-1 (single byte e9) would give another hash.
    assertThat(StepIds.hash("\u00e9")).isEqualTo("bf15be717ac1b080b4f1c456692825891ff5073d");
  }

  @Test
  void firstOccurrenceKeyIsTheIdItself() {
    assertThat(StepIds.key("a", 0)).isEqualTo("a");
  }

  @Test
  void repeatKeysAppendColonAndIndex() {
    assertThat(StepIds.key("a", 1)).isEqualTo("a:1");
    assertThat(StepIds.key("fetch user", 12)).isEqualTo("fetch user:12");
    assertThat(StepIds.hash(StepIds.key("a", 1))).isEqualTo("de89bfaf06245091a7873290a793604612302247");
  }

  @Test
  void negativeIndexIsRejected() {
    assertThatThrownBy(() -> StepIds.key("a", -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
  }
}
