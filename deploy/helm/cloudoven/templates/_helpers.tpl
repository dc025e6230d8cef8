{{/* The release's full name, cut to 63 characters as Kubernetes names must be. */}}
{{- define "cloudoven.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "cloudoven.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "cloudoven.labels" -}}
{{ include "cloudoven.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "cloudoven.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "cloudoven.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "cloudoven.secretName" -}}
{{- default (include "cloudoven.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{- define "cloudoven.runNamespace" -}}
{{- default .Release.Namespace .Values.runner.namespace -}}
{{- end -}}

{{/*
The replica count: replicas when set, else 1. The settings that cannot work together fail
here, saying what to change: several replicas share the run queue, the logs and the state
through PostgreSQL and Azure Blob Storage.
*/}}
{{- define "cloudoven.replicas" -}}
{{- $postgres := eq .Values.database.type "postgres" -}}
{{- $replicas := 1 -}}
{{- if not (kindIs "invalid" .Values.replicas) -}}
{{- $replicas = int .Values.replicas -}}
{{- end -}}
{{- if and (gt $replicas 1) (not $postgres) -}}
{{- fail (printf "replicas is %d but database.type is sqlite: SQLite allows one replica; set database.type=postgres (with the database URL in the Secret) or replicas=1" $replicas) -}}
{{- end -}}
{{- if and (gt $replicas 1) (not .Values.stateBlob.url) -}}
{{- fail (printf "replicas is %d but stateBlob.url is empty: every replica must read the same state versions; set stateBlob.url (Azure Blob Storage) or replicas=1" $replicas) -}}
{{- end -}}
{{- $replicas -}}
{{- end -}}

{{/*
The provider cache's claim in the run namespace (run pods mount it) and in the release's
(the server's pods mount it): the chart's own unless existingClaim is given. A run namespace
other than the release's needs both claims given.
*/}}
{{- define "cloudoven.providerClaim" -}}
{{- $c := .Values.runner.providerCache -}}
{{- default (printf "%s-providers" (include "cloudoven.fullname" .)) $c.existingClaim -}}
{{- end -}}

{{- define "cloudoven.providerServerClaim" -}}
{{- $c := .Values.runner.providerCache -}}
{{- if ne (include "cloudoven.runNamespace" .) .Release.Namespace -}}
{{- if not (and $c.existingClaim $c.serverClaim) -}}
{{- fail (printf "runner.namespace is %s, not the release's %s: the provider cache's claim must be in both; set runner.providerCache.existingClaim (in %s) and runner.providerCache.serverClaim (in %s), two claims of one ReadWriteMany volume" (include "cloudoven.runNamespace" .) .Release.Namespace (include "cloudoven.runNamespace" .) .Release.Namespace) -}}
{{- end -}}
{{- $c.serverClaim -}}
{{- else -}}
{{- default (include "cloudoven.providerClaim" .) $c.serverClaim -}}
{{- end -}}
{{- end -}}
