package io.vigil.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The layering ARCHITECTURE.md and CONVENTIONS.md ask for, checked on the compiled classes. */
@AnalyzeClasses(
    packages = {"io.vigil.agent", "io.vigil.collector", "io.vigil.common", "io.vigil.detect"},
    importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {
  @ArchTest
  static final ArchRule onlyTheShipperTalksGrpcInTheAgent =
      noClasses()
          .that()
          .resideInAPackage("io.vigil.agent..")
          .and()
          .resideOutsideOfPackage("io.vigil.agent.ship..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.grpc..")
          .because("one package per service talks gRPC");

  @ArchTest
  static final ArchRule onlyTheStreamEndpointAndTheOperatorApiTalkGrpcInTheCollector =
      noClasses()
          .that()
          .resideInAPackage("io.vigil.collector..")
          .and()
          .resideOutsideOfPackages("io.vigil.collector.stream..", "io.vigil.collector.api..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.grpc..")
          .because(
              "ingest and storage must run without a transport; one package per service (agent"
                  + " stream, operator API) talks gRPC");

  @ArchTest
  static final ArchRule sensorsKnowNothingOfSpoolOrTransport =
      noClasses()
          .that()
          .resideInAPackage("io.vigil.agent.sensor..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.vigil.agent.spool..", "io.vigil.agent.ship..", "io.vigil.agent.pipeline..")
          .because("sensors only emit into an EventSink");

  @ArchTest
  static final ArchRule jnaStaysInThePlatformPackage =
      noClasses()
          .that()
          .resideInAPackage("io.vigil..")
          .and()
          .resideOutsideOfPackage("io.vigil.agent.platform..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("com.sun.jna..")
          .because("JNA bindings live in agent.platform.linux");

  @ArchTest
  static final ArchRule commonDependsOnNoModule =
      noClasses()
          .that()
          .resideInAPackage("io.vigil.common..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.vigil.agent..", "io.vigil.collector..");

  @ArchTest
  static final ArchRule agentAndCollectorDoNotDependOnEachOther =
      noClasses()
          .that()
          .resideInAPackage("io.vigil.agent..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.vigil.collector..");

  @ArchTest
  static final ArchRule theDetectionEngineHasNoTransportOrStorage =
      noClasses()
          .that()
          .resideInAPackage("io.vigil.detect..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.grpc..",
              "java.sql..",
              "net.openhft..",
              "io.vigil.agent..",
              "io.vigil.collector..")
          .because(
              "the same engine runs in the collector, the CLI and a stream worker: it takes events"
                  + " and returns findings");
}
