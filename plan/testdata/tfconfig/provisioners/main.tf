resource "terraform_data" "a" {
  input = "v"
  connection {
    host = "10.0.0.1"
  }
  provisioner "local-exec" {
    command    = "echo ${self.id} ${terraform_data.b.output}"
    on_failure = continue
  }
  provisioner "remote-exec" {
    when   = destroy
    inline = ["rm -f ${self.id}"]
    connection {
      host = "10.0.0.2"
      user = "root"
    }
  }
}

resource "terraform_data" "b" {
  input = "w"
}
