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
here, saying what to change. More than one replica is refused for now: each server runs the
runs it queued from its own memory and marks the runs it finds in flight at start as
interrupted, so a second replica on the same database would interrupt the first one's runs.
Several replicas come with the run queue claimed through the database (row locks, leases).
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
