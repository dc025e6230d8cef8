provider "kubernetes" {
  host                   = var.host
  cluster_ca_certificate = base64decode(var.ca)
  token                  = var.token
}

provider "helm" {
  kubernetes {
    host                   = var.host
    cluster_ca_certificate = base64decode(var.ca)
    token                  = var.token
  }
}

resource "kubernetes_namespace" "ns" {
  for_each = toset(["monitoring", "ingress"])

  metadata {
    name = each.key
    labels = {
      "app.kubernetes.io/managed-by" = "terraform"
    }
  }
}

resource "helm_release" "ingress" {
  name       = "ingress-nginx"
  repository = "https://kubernetes.github.io/ingress-nginx"
  chart      = "ingress-nginx"
  version    = "4.10.0"
  namespace  = kubernetes_namespace.ns["ingress"].metadata[0].name
  values = [yamlencode({
    controller = {
      replicaCount = 2
    }
  })]

  set {
    name  = "controller.service.type"
    value = "LoadBalancer"
  }
}
