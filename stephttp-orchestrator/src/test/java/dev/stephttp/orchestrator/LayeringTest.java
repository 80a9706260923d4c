package dev.stephttp.orchestrator;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.stephttp.orchestrator.store.Store;
import dev.stephttp.orchestrator.store.Tx;
import java.time.Clock;
import java.time.Instant;

/**
 * The orchestrator's package map (package-info of this package), checked over the compiled
 * classes: dependencies point one way, the packages have no cycles, only the engine writes, and
 * every part reads the time from the one injected clock.
 */
@AnalyzeClasses(packages = "dev.stephttp.orchestrator", importOptions = LayeringTest.MainOnly.class)
class LayeringTest {
  private static final String BASE = "dev.stephttp.orchestrator";

  /**
   * The main classes only. ArchUnit's own option knows {@code target/test-classes}, not the
   * build directories of {@code -Dbuild.dir.name}.
   */
  static final class MainOnly implements ImportOption {
    @Override
    public boolean includes(Location location) {
      return !location.contains("/test-classes/");
    }
  }

  @ArchTest
  static final ArchRule layersPointOneWay = layeredArchitecture()
      .consideringOnlyDependenciesInLayers()
      .layer("root").definedBy(BASE)
      .layer("management").definedBy(BASE + ".management..")
      .layer("protocol").definedBy(BASE + ".protocol..")
      .layer("dispatch").definedBy(BASE + ".dispatch..")
      .layer("http").definedBy(BASE + ".http..")
      .layer("engine").definedBy(BASE + ".engine..")
      .layer("store").definedBy(BASE + ".store..")
      .layer("model").definedBy(BASE + ".model..")
      .whereLayer("root").mayNotBeAccessedByAnyLayer()
      .whereLayer("management").mayOnlyBeAccessedByLayers("root")
      .whereLayer("protocol").mayOnlyBeAccessedByLayers("root")
      .whereLayer("dispatch").mayOnlyBeAccessedByLayers("root")
      .whereLayer("http").mayOnlyBeAccessedByLayers("protocol", "management")
      .whereLayer("engine").mayOnlyBeAccessedByLayers("dispatch", "protocol", "management",
          "root")
      .whereLayer("store").mayOnlyBeAccessedByLayers("engine", "protocol", "management", "root")
      .whereLayer("model").mayOnlyBeAccessedByLayers("store", "engine", "dispatch", "protocol",
          "management", "root");

  @ArchTest
  static final ArchRule packagesHaveNoCycles = slices().matching(BASE + ".(*)..")
      .should().beFreeOfCycles();

  @ArchTest
  static final ArchRule onlyTheEngineWrites = noClasses()
      .that().resideInAnyPackage(BASE + ".dispatch..", BASE + ".protocol..",
          BASE + ".management..")
      .should().dependOnClassesThat().belongToAnyOf(Store.class, Tx.class)
      .because("every change of state goes through the engine; endpoints read through"
          + " ReadStore");

  @ArchTest
  static final ArchRule theRootOnlyOpensTheStore = noClasses()
      .that().resideInAPackage(BASE)
      .should().callMethod(Store.class, "write", Store.TxWork.class)
      .orShould().dependOnClassesThat().belongToAnyOf(Tx.class);

  @ArchTest
  static final ArchRule timeComesFromTheOneClock = noClasses()
      .should().callMethod(System.class, "currentTimeMillis")
      .orShould().callMethod(Instant.class, "now")
      .orShould().callMethod(Clock.class, "systemDefaultZone")
      .because("the orchestrator reads the time from the one Clock its builder injects");

  @ArchTest
  static final ArchRule onlyTheBuilderPicksTheSystemClock = noClasses()
      .that().resideOutsideOfPackage(BASE)
      .should().callMethod(Clock.class, "systemUTC");
}
