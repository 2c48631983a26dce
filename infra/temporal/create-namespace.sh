#!/bin/sh
# Creates cmkflow's namespace and registers its search attributes (io.cmkflow.workflow.CmkSearchAttributes; a test
# keeps this list equal to it). Reruns are harmless: an existing namespace or attribute is left as it is.
set -eu
address="${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS is required}"
namespace="${TEMPORAL_NAMESPACE:-default}"
until temporal operator cluster health --address "$address"; do
  echo "waiting for the Temporal server at $address"
  sleep 2
done
temporal operator namespace describe --address "$address" --namespace "$namespace" >/dev/null 2>&1 \
  || temporal operator namespace create --address "$address" --namespace "$namespace" --retention 30d
for attribute in CmkRequestId CmkSubscriptionId CmkWorkspace CmkStage CmkStatus CmkKeyVault CmkPosture; do
  temporal operator search-attribute create --address "$address" --namespace "$namespace" \
    --name "$attribute" --type Keyword || echo "search attribute $attribute already exists"
done
echo "namespace $namespace ready with cmkflow's search attributes"
