{{- /* <release>-cmkflow, or the release name alone when it already says cmkflow (service accounts: <fullname>-<role>). */ -}}
{{- define "cmkflow.fullname" -}}
{{- if contains "cmkflow" .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-cmkflow" .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "cmkflow.labels" -}}
app.kubernetes.io/name: cmkflow
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "cmkflow.selector" -}}
app.kubernetes.io/name: cmkflow
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .role }}
{{- end -}}

{{- define "cmkflow.scope" -}}
{{- if empty .Values.azure.scope -}}
{{- fail "azure.scope is required: entries cloud/tenant/subscription/group-pattern (README, Authorization scope)" -}}
{{- end -}}
{{- join "," .Values.azure.scope -}}
{{- end -}}
