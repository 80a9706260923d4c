package dev.stephttp;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;

/**
 * Captures a generic type for {@link Step#run(String, TypeReference, StepFunction)}, e.g. {@code
 * new TypeReference<List<Order>>() {}}. Immutable and thread-safe.
 *
 * @param <T> the captured type
 */
public abstract class TypeReference<T> {
  private final Type type;

  /** Captures the type argument of the anonymous subclass. */
  protected TypeReference() {
    Type superclass = getClass().getGenericSuperclass();
    if (!(superclass instanceof ParameterizedType)) {
      throw new IllegalStateException(
          "TypeReference must be created with a type argument, e.g. new TypeReference<List<String>>() {}");
    }
    this.type = ((ParameterizedType) superclass).getActualTypeArguments()[0];
  }

  /** The captured type. */
  public final Type type() {
    return type;
  }

  @Override
  public String toString() {
    return "TypeReference<" + type.getTypeName() + ">";
  }
}
